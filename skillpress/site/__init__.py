"""The generated homepage and docs site (mkdocs-material), and the agent files it serves."""
