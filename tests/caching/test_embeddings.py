"""The hosted embedding backend (Voyage), its HTTP API faked with respx."""

import httpx
import numpy as np
import respx


@respx.mock
def test_hosted_embedding_backend_is_one_setting_away(settings):
    from caching.embeddings import VoyageBackend

    settings.VOYAGE_API_KEY, settings.VOYAGE_MODEL = "voyage-test-key", "voyage-3.5-lite"
    route = respx.post("https://api.voyageai.com/v1/embeddings").mock(return_value=httpx.Response(200, json={
        "data": [{"index": 1, "embedding": [0.0, 3.0] + [0.0] * 254}, {"index": 0, "embedding": [4.0] + [0.0] * 255}],
    }))
    vectors = VoyageBackend().embed(["first", "second"])
    assert route.called and route.calls[0].request.headers["Authorization"] == "Bearer voyage-test-key"
    assert vectors.shape == (2, 256)
    assert np.allclose(vectors[0][:2], [1.0, 0.0]) and np.allclose(vectors[1][:2], [0.0, 1.0])
