"""Who is asking: bureau passwords (argon2), unit 登录码, signed tokens and cookies, login slowdown, CSRF."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .store import Store

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes): slow for a guesser, quick enough on a county PC
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

#: A session or token lasts a working day and a half.
TOKEN_AGE = 36 * 3600


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: list[str] = []


def _dummy_hash() -> str:
    """A hash to check against for a missing user: it costs as much time as a wrong password."""
    if not _dummy:
        _dummy.append(hash_password("jixiao-dummy-password"))
    return _dummy[0]


def fingerprint(secret_part: str) -> str:
    """A short digest of the password hash or 登录码 hash: a reset password or code ends old sessions."""
    return hashlib.sha256(secret_part.encode()).hexdigest()[:16]


@dataclass
class Principal:
    kind: str  # "bureau" | "unit"
    name: str  # user name, or unit code
    task_id: int | None = None
    unit_name: str | None = None

    @property
    def actor(self) -> str:
        return f"财政局:{self.name}" if self.kind == "bureau" else f"单位:{self.name}"


class Auth:
    def __init__(self, store: Store):
        self.store = store
        self.signer = URLSafeTimedSerializer(store.secret(), salt="jixiao-site-token")
        self.csrf_key = hashlib.sha256(("csrf:" + store.secret()).encode()).digest()
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    # -- tokens --------------------------------------------------------------------------------------
    def token_for(self, p: Principal) -> str:
        if p.kind == "bureau":
            user = self.store.user(p.name)
            return self.signer.dumps({"k": "b", "u": p.name, "f": fingerprint(user["password_hash"])})
        unit = self.store.unit(p.task_id, p.name)
        return self.signer.dumps({"k": "u", "t": p.task_id, "u": p.name, "f": fingerprint(unit["code_hash"])})

    def from_token(self, token: str) -> Principal | None:
        """A signed token, or a 登录码 itself (the API accepts either as the Bearer credential)."""
        if "." not in token:
            unit = self.store.unit_by_login(token)
            return Principal("unit", unit["code"], unit["task_id"], unit["name"]) if unit else None
        try:
            data = self.signer.loads(token, max_age=TOKEN_AGE)
        except BadSignature:
            return None
        if data.get("k") == "b":
            user = self.store.user(data.get("u", ""))
            if user and hmac.compare_digest(fingerprint(user["password_hash"]), data.get("f", "")):
                return Principal("bureau", user["name"])
            return None
        if data.get("k") == "u":
            unit = self.store.unit(data.get("t"), data.get("u", ""))
            if unit and hmac.compare_digest(fingerprint(unit["code_hash"]), data.get("f", "")):
                return Principal("unit", unit["code"], unit["task_id"], unit["name"])
        return None

    # -- login ---------------------------------------------------------------------------------------
    def delay_for(self, key: str) -> float:
        """Seconds to wait before answering this login: nothing for the first 3 failures in 15 minutes,
        then doubling from 1 s up to 16 s."""
        cutoff = time.monotonic() - 900
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if t > cutoff]
            self._failures[key] = recent
        n = len(recent)
        return 0.0 if n < 3 else float(min(16, 2 ** (n - 3)))

    def failed(self, key: str) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def login_bureau(self, user: str, password: str) -> Principal | None:
        row = self.store.user(user)
        if row is None:
            check_password(_dummy_hash(), password)
            return None
        return Principal("bureau", row["name"]) if check_password(row["password_hash"], password) else None

    def login_unit(self, code: str) -> Principal | None:
        unit = self.store.unit_by_login(code)
        return Principal("unit", unit["code"], unit["task_id"], unit["name"]) if unit else None

    # -- CSRF (double submit, bound to the session cookie) ------------------------------------------
    def csrf_token(self, session: str) -> str:
        return hmac.new(self.csrf_key, session.encode(), hashlib.sha256).hexdigest()[:40]

    def csrf_ok(self, session: str, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf_token(session), sent)
