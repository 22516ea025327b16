"""The boto3 client for a Store, and its failures as one-line PublishErrors.

Credentials come only from boto3's standard chain (environment, profile, instance role): no
function here takes or prints a key, and messages never quote a server's error text verbatim.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_assets.errors import PublishError, printable

if TYPE_CHECKING:
    from web_assets.store.upload import Store

# A dead endpoint fails in seconds: an unreachable host costs at most CONNECT_TIMEOUT per
# attempt. A hung one (accepting, never answering) costs the Store's `timeout` (s3_timeout) per
# attempt: MAX_ATTEMPTS of them, and the upload step asks no more after one has failed.
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 20
MAX_ATTEMPTS = 2

CREDENTIAL_CODES = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "InvalidToken",
    "ExpiredToken",
    "AuthorizationHeaderMalformed",
    "403",
}
MISSING_BUCKET_CODES = {"NoSuchBucket"}
DIGEST_CODES = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"}
CHECKSUM_UNSUPPORTED_CODES = {"InvalidArgument", "InvalidRequest", "NotImplemented"}


def where(store: Store) -> str:
    """The store as a user would name it in pyproject.toml."""
    endpoint = store.endpoint_url or f"AWS S3 ({store.region or 'default region'})"
    return f"bucket {store.bucket!r} at {endpoint}"


def make_client(store: Store, threads: int = 4):
    """An S3 client with bounded timeouts and retries, and the Store's checksum policy."""
    import boto3
    from botocore.config import Config

    checksum_policy = "when_supported" if store.checksums == "sha256" else "when_required"
    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=store.timeout,
        retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        max_pool_connections=max(10, threads + 2),
        request_checksum_calculation=checksum_policy,
        response_checksum_validation=checksum_policy,
        s3={
            # S3-compatible servers (SeaweedFS, Ceph, MinIO) want path style; AWS picks its own.
            "addressing_style": "path" if store.endpoint_url else "auto",
            # Over plain http botocore hashes every body once more to sign it; the signed
            # x-amz-checksum-sha256 header already binds the body, as it does over https.
            **({"payload_signing_enabled": False} if store.checksums == "sha256" else {}),
        },
    )
    session = boto3.session.Session()
    return session.client(
        "s3", endpoint_url=store.endpoint_url, region_name=store.region, config=config
    )


def explain(error: Exception, store: Store, key: str | None = None) -> PublishError:
    """One line saying what failed, for which bucket (and key), and what to change."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        HTTPClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    place = where(store)
    if isinstance(error, OSError) and error.filename:
        return PublishError(f"cannot read {error.filename}: {error.strerror}")
    subject = f"{key!r} in {place}" if key else place
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return PublishError(
            f"no S3 credentials for {place}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "or AWS_PROFILE, in the environment (never in pyproject.toml)"
        )
    if isinstance(error, NoRegionError):
        return PublishError(f"no region for {place}: set s3_region or AWS_DEFAULT_REGION")
    if isinstance(error, ConnectionError | HTTPClientError):
        return PublishError(
            f"cannot reach {place} ({type(error).__name__}{_waited(error, store)}, "
            f"{MAX_ATTEMPTS} attempts): check s3_endpoint_url and that the server is running and "
            "reachable"
        )
    if isinstance(error, ClientError):
        return _explain_answer(error.response, place, subject, key)
    return PublishError(f"{subject} failed: {type(error).__name__}")


def _explain_answer(response: dict, place: str, subject: str, key: str | None) -> PublishError:
    """One line for an error the server answered, by its code."""
    # The code is the server's text: escaped, it cannot drive the terminal.
    code = printable(str(response.get("Error", {}).get("Code", "unknown")))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in CREDENTIAL_CODES:
        return PublishError(
            f"{place} refused the credentials ({code}): check AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and that they may write to this bucket"
        )
    if code in MISSING_BUCKET_CODES:
        return PublishError(f"{place} does not exist: create the bucket or fix s3_bucket")
    if code in DIGEST_CODES:
        return PublishError(
            f"{place} refused {key!r}: the bytes sent do not match their SHA-256 "
            "(the file changed after it was hashed, or was corrupted in transit); publish again"
        )
    if code in CHECKSUM_UNSUPPORTED_CODES:
        return PublishError(
            f"{place} rejected the request for {key!r} ({code}), as servers without "
            'SHA-256 checksum support do: set s3_checksums = "when_required"'
        )
    return PublishError(
        f"{subject}: the server answered {code} (HTTP {status}); check s3_endpoint_url, "
        "s3_bucket and what the credentials may do"
    )


def _waited(error: Exception, store: Store) -> str:
    """How long each attempt waited, for the timeouts that bound a hung store."""
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    if isinstance(error, ReadTimeoutError):
        return f": no answer within {store.timeout} s (s3_timeout)"
    if isinstance(error, ConnectTimeoutError):
        return f": no connection within {CONNECT_TIMEOUT} s"
    return ""
