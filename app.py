"""The marac-redact review app: ``streamlit run app.py`` (see README.md)."""

from redactor.ui import main

main()
