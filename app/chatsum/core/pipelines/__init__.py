"""chatsum.core.pipelines"""
