"""web: users with roles, officers' feedback on suggestions, sign-in attempts (issue 7)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 12:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('pending', JSON, nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    )
    op.create_index(op.f('ix_users_organisation_id'), 'users', ['organisation_id'], unique=False)
    op.create_table('suggestion_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('useful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rules_version', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tender_id'], ['tenders.id'], name=op.f('fk_suggestion_feedback_tender_id_tenders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_suggestion_feedback_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_feedback')),
    )
    op.create_index(op.f('ix_suggestion_feedback_tender_id'), 'suggestion_feedback', ['tender_id'], unique=False)
    op.create_table('auth_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=400), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_attempts')),
    )
    op.create_index(op.f('ix_auth_attempts_bucket'), 'auth_attempts', ['bucket'], unique=False)
    op.create_index(op.f('ix_auth_attempts_at'), 'auth_attempts', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_auth_attempts_at'), table_name='auth_attempts')
    op.drop_index(op.f('ix_auth_attempts_bucket'), table_name='auth_attempts')
    op.drop_table('auth_attempts')
    op.drop_index(op.f('ix_suggestion_feedback_tender_id'), table_name='suggestion_feedback')
    op.drop_table('suggestion_feedback')
    op.drop_index(op.f('ix_users_organisation_id'), table_name='users')
    op.drop_table('users')
