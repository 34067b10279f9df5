"""a delivery names its subscription without a foreign key: the deletes that ended with it delete it themselves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every revision writes a delivery per subscription; on PostgreSQL each row's foreign-key check
    # was a third of writing them. Deleting a subscription or its graph deletes its deliveries
    # (app.storage.webhooks.forget), so none is left naming a subscription that is gone.
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_webhook_deliveries_webhook_id_webhooks', type_='foreignkey')


def downgrade() -> None:
    op.execute('DELETE FROM webhook_deliveries WHERE webhook_id NOT IN (SELECT id FROM webhooks)')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_webhook_deliveries_webhook_id_webhooks', 'webhooks', ['webhook_id'], ['id'], ondelete='CASCADE'
        )
