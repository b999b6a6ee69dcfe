from django.conf import settings
from django.db import models
from pgvector.django import HnswIndex, VectorField


class SemanticCacheEntry(models.Model):
    """L3: an LLM result findable by the meaning of the message that produced it.

    A look-up filters kind, scope, version, model, prompt version, the preceding question and the guard
    fingerprint in SQL, then takes the nearest embedding; the similarity must also clear the kind's threshold.
    """

    kind = models.CharField(max_length=16)
    scope = models.CharField(max_length=40, help_text="'global' or 'contact:<id>': a hard filter, never a prefix match")
    version = models.CharField(max_length=32, help_text="kind generation and scope version, as in the cache key")
    model = models.CharField(max_length=64)
    prompt_version = models.CharField(max_length=32)
    context_hash = models.CharField(max_length=64, help_text="sha256 of the bot's preceding question")
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the guard's canonical meaning of the text")
    text = models.TextField()
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS)
    value = models.JSONField()
    cost_usd = models.DecimalField(max_digits=12, decimal_places=8, default=0)
    tokens = models.PositiveIntegerField(default=0)
    hit_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_hit_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "semantic cache entry"
        verbose_name_plural = "semantic cache entries"
        indexes = [
            HnswIndex(name="semcache_embedding_hnsw", fields=["embedding"], m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
            models.Index(fields=["kind", "scope", "version", "fingerprint", "context_hash"], name="semcache_lookup_idx"),
            models.Index(fields=["expires_at"], name="semcache_expires_idx"),
            models.Index(fields=["scope"], name="semcache_scope_idx"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.scope} {self.text[:40]}"
