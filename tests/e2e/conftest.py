"""The browser tests' shared fixtures (`tests.e2e.browser_support`): a module's Chromium and
the screenshots folder. Defined there, registered here so that every test_browser_* file
uses the same ones instead of a copy each."""

from tests.e2e.browser_support import browser, shots

__all__ = ["browser", "shots"]
