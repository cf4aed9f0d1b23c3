from redactor.ui.queue import render

render()
