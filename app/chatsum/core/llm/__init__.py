"""chatsum.core.llm"""
