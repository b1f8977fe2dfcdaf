"""The hidden suites: one pytest module per kata, shipped with rnnprep, never copied to a workspace.

`rnnprep kata NAME --check` runs ``test_NAME.py`` here with pytest, in the grader's process;
the submission runs in the sandbox. To see the tests one by one in an IDE or a course's CI::

    pytest --pyargs rnnprep.hidden.test_lstm --kata-file katas/lstm/lstm.py [--kata-seed N]
"""
