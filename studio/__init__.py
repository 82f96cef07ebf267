"""SemColorNet Studio: the whole workflow (reference, training, colorizing, variants, views) in a local web page.

``app.py`` builds the Gradio page; ``steps.py`` does each step by calling the library the
CLIs call; ``jobs.py`` runs ``train.py`` in the background; ``workspace.py`` holds the
studio's own folders and how browser uploads enter them. Only ``app.py`` imports Gradio.
"""
