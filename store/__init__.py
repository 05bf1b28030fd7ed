"""Persistence: the database handle, the tables, Alembic migrations and the repositories.

Everything shared between server processes lives here (processes are stateless), so
the code is written for both SQLite (aiosqlite, one laptop process) and
PostgreSQL (asyncpg, N processes behind a load balancer).
"""
