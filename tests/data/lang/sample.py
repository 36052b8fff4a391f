"""Account helpers."""

from __future__ import annotations

import os.path
import json as _json
from .models import User, Group
from . import utils


# Maximum retries before giving up.
MAX_RETRIES = 3


class Session(Base):
    """A logged-in session.

    More details here.
    """

    timeout = 30

    def __init__(self, user: User) -> None:
        self.user = user

    @property
    @cached
    def name(self) -> str:
        return self.user.name

    def login(
        self,
        password: str,
        remember: bool = False,
    ) -> bool:
        '''Check the password and open the session.'''

        def _hash(value):
            return utils.digest(value)

        return _hash(password) == self.user.password_hash


# Build a redirect URL
# for the given user.
async def login_redirect(user, next_url=None):
    return os.path.join("/", next_url or user.home)
