"""chatsum.core"""
