"""The two marks a report cell can carry instead of a number, with one meaning
on every page, file and language:

* ``[c]`` (``HIDDEN_MARK``, a cell value of ``None``): a number exists but is
  hidden by disclosure control (a count from 1 to threshold − 1, or a number
  that would let one be worked out);
* ``—`` (``NO_DATA``): there is no number: nothing recorded yet, or the figure
  does not apply (a cost per child without grant income, a rate without marks).
"""

from __future__ import annotations

HIDDEN_MARK = "[c]"
NO_DATA = "—"
