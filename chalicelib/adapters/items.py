"""PynamoDB model classes for the item types of the single table, built per table name.

Each store builds its classes at construction (not at import) so the table name,
region and endpoint come from settings, and each class keeps its own connection.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import Attribute, UnicodeAttribute
from pynamodb.models import Model


def model_meta(table_name: str, region: str, host: str | None, **extra: Any) -> type:
    return type("Meta", (), {"table_name": table_name, "region": region, "host": host,
                             "max_retry_attempts": 3, "base_backoff_ms": 25, **extra})


def item_model(class_name: str, item_type: str, table_name: str, region: str,
               host: str | None, **attributes: Attribute | Any) -> type[Model]:
    """A Model with the table's keys (pk, sk), a `type` discriminator and `attributes`."""
    namespace: dict[str, Any] = {
        "Meta": model_meta(table_name, region, host),
        "pk": UnicodeAttribute(hash_key=True),
        "sk": UnicodeAttribute(range_key=True),
        "type": UnicodeAttribute(default=item_type),
        **attributes,
    }
    return type(Model)(class_name, (Model,), namespace)
