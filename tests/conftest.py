"""Fixtures shared by the test modules."""
import pytest

import ch3_code


@pytest.fixture(scope="session")
def mnist():
    """Nielsen's three MNIST splits (load_mnist is memoised: parsed once per process)."""
    return ch3_code.load_mnist(progress=False)
