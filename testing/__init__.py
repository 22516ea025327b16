"""The test suite's support: sample projects, git repos, doit runs and servers, imported like any module.

Fixtures that wrap these are declared in tests/conftest.py; tests import the helpers from here.
"""
