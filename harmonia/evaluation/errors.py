"""The one exception the evaluation library raises for bad input."""


class EvaluationError(ValueError):
    """Raised when the data or the request cannot support the analysis asked for.

    The message is a single sentence meant for the person running the analysis: it names
    the column or option at fault and, where there is one, the remedy.
    """
