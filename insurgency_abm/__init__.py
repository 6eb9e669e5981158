"""The command line of the simulation as an installed program (``insurgency-abm``, ``python -m insurgency_abm``).

It sits above ``sim`` and ``analysis`` because it puts the subcommands of both together; ``run.py``
in the repository is the same program.
"""
