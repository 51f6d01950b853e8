"""A production start on a new data directory: the folder is created and the
database migrates (SQLite creates files, not folders)."""


def test_a_first_production_start_creates_its_data_directory(production_migrated):
    # The session's one production migrate ran on a data directory that did not
    # exist yet (zhanyi.core.processes_testing).
    done = production_migrated.migrate
    assert done.returncode == 0, done.stderr[-2000:]
    assert production_migrated.database.exists()
