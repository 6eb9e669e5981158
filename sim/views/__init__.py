"""Front ends on the model: the Solara browser view and the one-run quick-look chart."""
