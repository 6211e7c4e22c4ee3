"""Pure format adapters: they read and write files and import nothing from Django,
so each can be tested on plain data and reused on its own."""
