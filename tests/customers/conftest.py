import pytest
from django.test import Client


@pytest.fixture
def carol_client(rm_carol):
    """Alice's colleague: sees Alice's customers (same branch) but may not change them."""
    client = Client()
    client.force_login(rm_carol)
    return client
