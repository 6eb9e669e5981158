"""The eleven mechanisms of the model specification, one module each (docs/ODD.md §7 in the same order).

Each module holds its functional forms (pure functions on floats or arrays), the phase of the week
that applies it and the agent actions it drives; ``InsurgencyModel.step`` calls them in the order of
the ODD's process overview.

1 recruitment   2 salafi   3 prison_escape   4 ambush   5 high_profile   6 raids   7 surrender
8 elders   9 movement   10 external   11 legitimacy
"""
