"""iSpring tests share `support`; its assertions get pytest's detailed failure messages."""

import pytest

pytest.register_assert_rewrite("tests.ispring.support")
