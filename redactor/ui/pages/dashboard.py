from redactor.ui.dashboard import render

render()
