from redactor.ui.upload import render

render()
