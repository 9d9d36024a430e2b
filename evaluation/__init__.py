"""How well the trained model understands visitors, measured as the bot would act on it."""
