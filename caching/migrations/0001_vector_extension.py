from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """pgvector for the semantic cache tier and message embeddings (needs a role allowed to CREATE EXTENSION)."""

    initial = True
    dependencies = []
    operations = [VectorExtension()]
