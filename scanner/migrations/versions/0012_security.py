"""security: server-side web sessions, single-use e-mail tokens, organisations' consent to be
listed by name; pending sign-ups leave the users table (issue 14)

Revision ID: 0012
Revises: 0015
Create Date: 2026-12-06 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0015'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash')),
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.create_table('auth_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('data', JSON, nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_auth_tokens_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_tokens_token_hash')),
    )
    op.create_index(op.f('ix_auth_tokens_email'), 'auth_tokens', ['email'], unique=False)
    op.create_index(op.f('ix_auth_tokens_slug'), 'auth_tokens', ['slug'], unique=False)
    op.create_index(op.f('ix_auth_tokens_organisation_id'), 'auth_tokens', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_auth_tokens_expires_at'), 'auth_tokens', ['expires_at'], unique=False)
    op.add_column('organisations', sa.Column('listed', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Unconfirmed sign-ups blocked their address for good; they sign up again (a new link).
    users = sa.table('users', sa.column('confirmed_at', sa.DateTime()), sa.column('role', sa.String()))
    op.execute(users.delete().where(users.c.confirmed_at.is_(None)).where(users.c.role == 'organisation'))
    _drop_column('users', 'pending')


def downgrade() -> None:
    op.add_column('users', sa.Column('pending', JSON, nullable=True))
    _drop_column('organisations', 'listed')
    op.drop_index(op.f('ix_auth_tokens_expires_at'), table_name='auth_tokens')
    op.drop_index(op.f('ix_auth_tokens_organisation_id'), table_name='auth_tokens')
    op.drop_index(op.f('ix_auth_tokens_slug'), table_name='auth_tokens')
    op.drop_index(op.f('ix_auth_tokens_email'), table_name='auth_tokens')
    op.drop_table('auth_tokens')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_table('web_sessions')


def _drop_column(table: str, column: str) -> None:
    """SQLite drops the column in place: a batch copy of the table would run the foreign keys'
    ON DELETE actions of every row that points at it (PRAGMA foreign_keys is on)."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)
