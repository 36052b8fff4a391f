"""Create the accounts table."""

SQL = "CREATE TABLE accounts (id serial primary key, name text not null)"
