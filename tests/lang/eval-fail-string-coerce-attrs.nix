"value: ${{ a = 1; }}"
