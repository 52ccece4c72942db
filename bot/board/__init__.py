"""The read-only web board (README: "The web board"): bot/board/app.py serves it,
access.py decides who may read it, render.py and templates/ make its HTML, cache.py keeps
slow reads for a few seconds. What it shows is read by bot/usecases/board.py."""
