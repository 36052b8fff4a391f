# The sample repositories here contain their own tests; they are data, not part of this suite.
collect_ignore_glob = ["*"]
