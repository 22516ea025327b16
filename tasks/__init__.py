"""The doit wiring of dodo.py: task creators, the file checker, the reporter. The library is web_assets."""
