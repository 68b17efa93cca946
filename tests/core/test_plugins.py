from fakescope.core import plugins


def test_load_plugins_is_idempotent_and_reports_failures_as_text():
    first = plugins.load_plugins()
    second = plugins.load_plugins()
    assert first == second
    assert all(isinstance(v, str) and v for v in plugins.plugin_failures().values())
