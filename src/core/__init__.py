"""Shared kernel: settings, database, errors, auth, audit, workflow engine and shared services.

Never imports the domain packages (``ecr``, ``cdop``); they are loaded by name in
:func:`core.app.create_app` and register their routers and hooks through :mod:`core.registry`.
"""
