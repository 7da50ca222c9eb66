from django.db import models

from kiln.core.ids import new_id


class BaseModel(models.Model):
    """Time-sortable id and creation time for every domain row."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        abstract = True
