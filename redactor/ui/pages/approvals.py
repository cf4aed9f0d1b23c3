from redactor.ui.approvals import render

render()
