"""Persistence: the database handle, the tables and their records, Alembic migrations and the
repositories (plain functions of a connection, run as units of work by store.database).

Everything shared between server processes lives here (processes are stateless), so
the code is written for both SQLite (pysqlite in a worker thread, one laptop process;
the URL may name aiosqlite, which the migrations use) and PostgreSQL (asyncpg, N
processes behind a load balancer).
"""
