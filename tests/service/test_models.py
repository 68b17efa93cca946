import io

from fakescope.report.records import ScanRecord
from fakescope.service.models import JobView


def test_api_records_follow_the_scan_record_schema(client_for):
    client = client_for()
    files = [("files", ("a.toy", io.BytesIO(b"TOY1 0.3 0.9"), "application/octet-stream"))]
    report = client.post("/api/scan", files=files).json()
    for record in report["reports"]:
        model = ScanRecord.model_validate(record)
        assert model.id is not None and model.sha256 and model.cached is False
        assert not set(record) - set(ScanRecord.model_fields)
    job = client.get(f"/api/jobs/{report['job']}").json()
    assert JobView.model_validate(job).results[0].path == "a.toy"
