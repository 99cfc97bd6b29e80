"""The Telegram adapter (aiogram 3): long polling or webhook in, inline keyboards out."""
