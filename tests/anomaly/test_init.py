import subprocess
import sys

from fakescope.anomaly import register
from fakescope.core.registry import commands, get_detector_spec


def test_register_adds_detector_and_command() -> None:
    register()
    spec = get_detector_spec("anomaly")
    assert spec.modality == "image"
    assert "anomaly" in commands("train")


def test_register_is_cheap() -> None:
    code = "import sys; import fakescope.anomaly as a; a.register(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
