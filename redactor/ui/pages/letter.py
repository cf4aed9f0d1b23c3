from redactor.ui.letter import render

render()
