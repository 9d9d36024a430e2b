"""The care team's staff console (issue 15): a Sanic app on its own port; see console.app."""
