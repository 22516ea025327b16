"""The release report: what a release changes, as Markdown for a pull request's body or comment."""
