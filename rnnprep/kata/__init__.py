"""Katas: the registry of katas.yaml, the user's workspace, hints, solution gating and checks.

    from rnnprep.kata import registry
    kata = registry.load().get("lstm")      # RnnprepError with a did-you-mean when unknown
    kata.starter, kata.readme, kata.solution, kata.hints
"""
