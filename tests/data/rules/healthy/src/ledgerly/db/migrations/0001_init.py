"""initial schema"""


def upgrade() -> None: ...


def downgrade() -> None: ...
