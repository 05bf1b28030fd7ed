"""AWS credentials for boto3 clients: botocore's standard chain, resolved once, never blocking.

Credentials are resolved once when a provider is built (at start-up, not at
the first request: on EC2 a lazy lookup would have to block or fail that
request) and cached; refreshable credentials (SSO, an assumed role, the
instance role) refresh themselves. The chain is split so that nothing can
hang a caller: everything but the EC2 instance-metadata lookup (environment,
shared files, SSO, role assumption, container role, `credential_process`:
file reads, deferred or local calls) runs inline, and only if it finds
nothing does the instance-metadata lookup run, in a background thread, with
the attempts and timeout set on the session (the Bedrock provider: one
attempt, `metadata_timeout_seconds`).

`CredentialChain.current()` never waits for it: until it answers, there are
no credentials ("looking up the EC2 instance role"); on EC2 it answers in
milliseconds, long before the first request, and `wait()` (a call made
meanwhile) waits for it. `AWS_EC2_METADATA_DISABLED=true` (botocore's own
switch) or `use_imds=False` skips it. Credentials added after start-up (a
new `~/.aws/credentials`) need a restart.
"""

import asyncio
import concurrent.futures
import os
import threading

import botocore.session
from botocore.credentials import CredentialResolver, Credentials, create_credential_resolver
from botocore.exceptions import BotoCoreError

from providers.base import Availability

CREDENTIALS_HELP = (
    "configure AWS credentials: export AWS_PROFILE=<profile> (after `aws configure` or "
    "`aws sso login`), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
)
_IMDS_METHOD = "iam-role"  # botocore's name for the EC2 instance-metadata provider


class _FixedCredentials:
    """A botocore `credential_provider` component that hands out what we resolved."""

    def __init__(self, credentials: Credentials | None) -> None:
        self._credentials = credentials

    def load_credentials(self) -> Credentials | None:
        return self._credentials


class CredentialChain:
    """botocore's credential chain for `session`, resolved once; the instance-metadata step
    in a background thread."""

    def __init__(self, session: botocore.session.Session, use_imds: bool) -> None:
        self.credentials: Credentials | None = None
        self.problem = ""  # why there are none, when there are none
        self._imds: concurrent.futures.Future[Credentials | None] | None = None
        try:
            resolver = create_credential_resolver(session)
            cheap = CredentialResolver([p for p in resolver.providers if p.METHOD != _IMDS_METHOD])
            self.credentials = cheap.load_credentials()
        except BotoCoreError as exc:  # a named profile that does not exist, a broken file
            self.problem = f"AWS credentials could not be loaded: {exc}"
            return
        if self.credentials is not None:
            return
        self.problem = f"no AWS credentials found; {CREDENTIALS_HELP}"
        disabled = os.environ.get("AWS_EC2_METADATA_DISABLED", "").lower() == "true"
        if use_imds and not disabled:
            imds = resolver.get_provider(_IMDS_METHOD)
            future: concurrent.futures.Future[Credentials | None] = concurrent.futures.Future()
            # Running, so it cannot be cancelled: asyncio.wrap_future cancels its source
            # when the awaiting task is cancelled, and one caller hanging up during the
            # lookup would lose the role for every caller (and break current()).
            future.set_running_or_notify_cancel()
            self._imds = future

            def probe() -> None:
                try:
                    future.set_result(imds.load())
                except Exception as exc:  # reported as "no credentials", never raised
                    future.set_exception(exc)

            threading.Thread(target=probe, name="aws-imds", daemon=True).start()

    def current(self) -> Availability:
        """Now, without waiting."""
        if self.credentials is not None:
            return Availability(True)
        if self._imds is None:
            return Availability(False, self.problem)
        if not self._imds.done():
            return Availability(False, f"looking up the EC2 instance role; {self.problem}")
        return self._settle(self._imds)

    async def wait(self) -> Availability:
        """After the instance-metadata lookup, if one is running (it is bounded by its timeout)."""
        if self.credentials is None and self._imds is not None and not self._imds.done():
            try:
                await asyncio.wrap_future(self._imds)
            except Exception:  # _settle reports it
                pass
        return self.current()

    def credential_provider(self) -> object:
        """The session component (`register_component("credential_provider", ...)`) that
        makes clients sign with these credentials instead of resolving the chain again."""
        return _FixedCredentials(self.credentials)

    def _settle(self, imds: "concurrent.futures.Future[Credentials | None]") -> Availability:
        if imds.exception() is None and imds.result() is not None:
            self.credentials = imds.result()
            return Availability(True)
        return Availability(False, self.problem)
