from space import create_app

app = create_app()
