"""One small table the floor endpoint inserts into."""

from django.db import models


class FloorRow(models.Model):
    clinic_id = models.UUIDField()
    name = models.CharField(max_length=200)
    value = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
